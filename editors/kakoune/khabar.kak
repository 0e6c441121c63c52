# khabar for Kakoune with kakoune-lsp (kak-lsp 17 or later, which reads `lsp_servers`).
#   source /path/to/khabar/editors/kakoune/khabar.kak
#   (and, as usual for kak-lsp: eval %sh{kak-lsp}; lsp-enable)
#
# A *.txt file inside a folder holding khabar.toml gets filetype `khabar` and the server.

hook -group khabar global BufCreate .*\.txt %{
    evaluate-commands %sh{
        dir=$(dirname -- "$kak_hook_param")
        while [ "$dir" != "/" ] && [ -n "$dir" ]; do
            if [ -f "$dir/khabar.toml" ]; then
                echo "set-option buffer filetype khabar"
                exit
            fi
            dir=$(dirname -- "$dir")
        done
    }
}

hook -group khabar global BufSetOption filetype=khabar %{
    set-option buffer lsp_servers %{
        [khabar]
        root_globs = ["khabar.toml"]
        command = "khabar"
        args = ["lsp"]
        settings_section = "khabar"
        [khabar.settings.khabar]
        # Editor settings fill in only what khabar.toml leaves unset.
        inlayHints = false
    }
    # Right-to-left text: wrap long paragraphs instead of scrolling sideways.
    add-highlighter buffer/khabar-wrap wrap -word
}
