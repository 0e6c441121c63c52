;;; test.el --- End-to-end test of `khabar lsp' through khabar.el and Eglot  -*- lexical-binding: t; -*-

;; env: KHABAR_BIN (the server binary), KHABAR_CORPUS (a copy of examples/corpus).
;; Opens the Persian article, waits for diagnostics, hovers a name, asks for references
;; across articles, applies the quick fix for the misspelt agency through Eglot's own
;; code-action path, checks the buffer, and waits for fresh diagnostics.  Prints one JSON line
;; and exits non-zero on the first failed expectation.

(require 'cl-lib)
(require 'json)
(require 'khabar)

(defvar khabar-test-results nil)

(defun khabar-test-finish (ok &optional why)
  (push (cons 'ok (if ok t :json-false)) khabar-test-results)
  (when why (push (cons 'failed why) khabar-test-results))
  (princ (concat (json-encode khabar-test-results) "\n"))
  (kill-emacs (if ok 0 1)))

(defun khabar-test-expect (cond what)
  (unless cond (khabar-test-finish nil what)))

(defun khabar-test-wait (pred seconds)
  "Wait until PRED holds, at most SECONDS, letting processes and timers run."
  (let ((deadline (+ (float-time) seconds)) (ok nil))
    (while (and (not (setq ok (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    ok))

(defun khabar-test-code (diag)
  (plist-get (cdr (assoc 'eglot-lsp-diag (eglot--diag-data diag))) :code))

(defun khabar-test-diag (code)
  (flymake-start)
  (cl-find-if (lambda (d) (equal (khabar-test-code d) code)) (flymake-diagnostics)))

(let* ((bin (getenv "KHABAR_BIN"))
       (corpus (file-name-as-directory (getenv "KHABAR_CORPUS")))
       (khabar-server-command (list bin "lsp"))
       (eglot-sync-connect t)
       (eglot-send-changes-idle-time 0.1)
       (last-nonmenu-event 13))
  (khabar-test-expect (and bin corpus) "KHABAR_BIN and KHABAR_CORPUS are set")
  (find-file (expand-file-name "fa-meeting.txt" corpus))
  (khabar-test-expect (eq major-mode 'khabar-article-mode) "the article opens in khabar-article-mode")
  (khabar-test-expect (equal (project-root (project-current)) corpus) "the project is the corpus folder")
  (apply #'eglot (eglot--guess-contact))
  (khabar-test-expect (khabar-test-wait #'eglot-current-server 20) "Eglot connects to khabar")
  (khabar-test-expect (khabar-test-wait (lambda () (khabar-test-diag "unknown-source")) 20)
                      "diagnostics arrive with the misspelt agency")
  (push (cons 'first_diagnostics (length (flymake-diagnostics))) khabar-test-results)

  ;; Hover the name شمخانی on the third line.
  (goto-char (point-min))
  (forward-line 2)
  (search-forward "شمخانی")
  (backward-char 2)
  (let* ((hover (jsonrpc-request (eglot--current-server-or-lose) :textDocument/hover
                                 (eglot--TextDocumentPositionParams)))
         (contents (plist-get hover :contents))
         (text (if (stringp contents) contents (plist-get contents :value))))
    (push (cons 'hover (car (split-string (or text "") "\n"))) khabar-test-results)
    (khabar-test-expect (and text (string-match-p "Ali Shamkhani" text)) "hover names Ali Shamkhani"))

  ;; References through Eglot's xref backend: the Arabic article too.
  (let (files)
    (khabar-test-wait
     (lambda ()
       (setq files (delete-dups
                    (mapcar (lambda (x) (file-name-nondirectory
                                         (xref-location-group (xref-item-location x))))
                            (ignore-errors (xref-backend-references 'eglot nil)))))
       (member "ar-visit.txt" files))
     20)
    (setq files (sort files #'string<))
    (push (cons 'references (vconcat files)) khabar-test-results)
    (khabar-test-expect (member "ar-visit.txt" files) "references reach ar-visit.txt"))

  ;; The quick fix for the misspelt agency, through eglot-code-actions as a user runs it.
  (let* ((d (khabar-test-diag "unknown-source"))
         (beg (flymake-diagnostic-beg d))
         (end (flymake-diagnostic-end d)))
    (cl-letf (((symbol-function 'completing-read)
               (lambda (_prompt items &rest _)
                 (or (car (cl-find-if (lambda (it) (string-match-p "جام جم" (car it))) items))
                     (caar items)))))
      (eglot-code-actions beg end "quickfix" t)))
  (khabar-test-expect (save-excursion (goto-char (point-min)) (search-forward "جام جم آنلاین" nil t))
                      "the buffer holds the fixed name")
  (khabar-test-expect (not (save-excursion (goto-char (point-min)) (search-forward "جام حم" nil t)))
                      "the misspelt name is gone from the buffer")
  (khabar-test-expect
   (khabar-test-wait
    (lambda ()
      (let ((d (khabar-test-diag "unknown-source")))
        (or (null d) (not (eq (flymake-diagnostic-type d) :warning)))))
    20)
   "the misspelt-agency warning disappears after the fix")
  (push (cons 'fixed t) khabar-test-results)
  (eglot-shutdown (eglot-current-server))
  (khabar-test-finish t))
