;;; khabar.el --- The khabar language server for news corpora, through Eglot -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Package-Requires: ((emacs "28.1") (eglot "1.9"))
;; Keywords: languages, tools
;; URL: editors/emacs in the khabar repository

;;; Commentary:

;; Articles of a khabar corpus (`*.txt' files inside a folder that holds `khabar.toml') open in
;; `khabar-article-mode', and Eglot starts `khabar lsp' for them with the folder holding
;; `khabar.toml' as the project root, so references and workspace symbols cover the whole
;; corpus.  Works with Emacs 28 and Debian's elpa-eglot, and with Emacs 29+ where Eglot is
;; built in.
;;
;;   (add-to-list 'load-path "/path/to/khabar/editors/emacs")
;;   (require 'khabar)
;;   (add-hook 'khabar-article-mode-hook #'eglot-ensure)
;;
;; Settings (`khabar-settings') travel as initializationOptions and fill in only what
;; khabar.toml leaves unset.

;;; Code:

(require 'eglot)
(require 'project)
(require 'cl-lib)

(defgroup khabar nil
  "The khabar language server for Arabic and Persian news corpora."
  :group 'tools
  :prefix "khabar-")

(defcustom khabar-server-command '("khabar" "lsp")
  "The command that starts the khabar language server."
  :type '(repeat string))

(defcustom khabar-settings nil
  "Server settings, as a plist sent as initializationOptions.
For example (:inlayHints t :rules (:spacing \"off\")).  They fill in only
what the corpus's khabar.toml leaves unset."
  :type 'plist)

(defun khabar-root (&optional dir)
  "The nearest folder at or above DIR (default: `default-directory') with khabar.toml."
  (let ((found (locate-dominating-file (or dir default-directory) "khabar.toml")))
    (and found (file-name-as-directory (expand-file-name found)))))

;; A corpus is a project of its own, rooted where khabar.toml is, whatever version control says:
;; Eglot starts one server per project, and the server indexes the project's folder.
(defun khabar--project-find (dir)
  "A khabar project for DIR when it lies in a corpus."
  (let ((root (khabar-root dir)))
    (and root (cons 'khabar root))))

(cl-defmethod project-root ((project (head khabar)))
  "The folder holding khabar.toml."
  (cdr project))

(add-hook 'project-find-functions #'khabar--project-find -90)

;;;###autoload
(define-derived-mode khabar-article-mode text-mode "Khabar"
  "Major mode for articles of a khabar corpus.
Right-to-left paragraphs are laid out by Emacs's bidirectional display;
the paragraph direction is found per paragraph, as Arabic and Persian text needs."
  (setq-local bidi-paragraph-direction nil)
  (setq-local word-wrap t))

;;;###autoload
(defun khabar-maybe-article-mode ()
  "`khabar-article-mode' for a file inside a corpus, else `text-mode'."
  (if (and buffer-file-name (khabar-root (file-name-directory buffer-file-name)))
      (khabar-article-mode)
    (text-mode)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.txt\\'" . khabar-maybe-article-mode))

(defun khabar--contact (_interactive)
  "The server command with the initialization options."
  (append khabar-server-command
          (when khabar-settings (list :initializationOptions khabar-settings))))

(add-to-list 'eglot-server-programs (cons '(khabar-article-mode) #'khabar--contact))

(provide 'khabar)
;;; khabar.el ends here
