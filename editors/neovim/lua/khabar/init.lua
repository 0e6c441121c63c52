-- khabar for Neovim: starts `khabar lsp` for articles inside a folder holding khabar.toml.
--
-- Works on Neovim 0.7 and later with the built-in client (vim.lsp.start_client), one client per
-- corpus root. Neovim 0.7 has no pull diagnostics, semantic tokens or inlay hints: the server
-- pushes diagnostics to it, and the rest degrades to what 0.7 shows.

local M = {}

M.config = {
  cmd = { 'khabar', 'lsp' },
  filetypes = { 'text' },
  root_markers = { 'khabar.toml' },
  -- Server settings, sent as initializationOptions and settings.khabar. They fill in only what
  -- the corpus's khabar.toml leaves unset.
  settings = {
    -- rule id -> 'off' | 'hint' | 'info' | 'warning' | 'error' (`khabar rules` lists the ids)
    rules = {},
    -- the English label after each mention (inlay hints: shown on Neovim 0.10+)
    inlayHints = false,
    -- a hint on every mention nobody has accepted or rejected yet
    curationHints = false,
  },
  -- Highlight groups for the semantic token types (Neovim 0.9+): entity kind -> group linked to.
  -- Set to false to leave @lsp.type.* alone.
  highlights = {
    person = 'Identifier',
    organization = 'Type',
    place = 'Constant',
    country = 'Constant',
    source = 'Special',
    event = 'Statement',
    other = 'Normal',
  },
  on_attach = nil,
  capabilities = nil,
}

--- Links @lsp.type.<kind> to the configured groups, as defaults a colour scheme may override.
local function set_highlights()
  if not M.config.highlights or vim.fn.has('nvim-0.9') == 0 then
    return
  end
  for kind, group in pairs(M.config.highlights) do
    vim.api.nvim_set_hl(0, '@lsp.type.' .. kind, { link = group, default = true })
  end
end

--- on_attach: turns on inlay hints where Neovim has them and the setting asks for them, then
--- calls the user's on_attach.
local function on_attach(client, bufnr)
  if M.config.settings.inlayHints and vim.lsp.inlay_hint and vim.lsp.inlay_hint.enable then
    pcall(vim.lsp.inlay_hint.enable, true, { bufnr = bufnr })
  end
  if M.config.on_attach then
    M.config.on_attach(client, bufnr)
  end
end

local clients = {} -- root directory -> client id

local function exists(path)
  return vim.loop.fs_stat(path) ~= nil
end

--- The nearest folder at or above `dir` holding one of the root markers.
function M.find_root(dir)
  local current = dir
  while current and current ~= '' do
    for _, marker in ipairs(M.config.root_markers) do
      if exists(current .. '/' .. marker) then
        return current
      end
    end
    local parent = vim.fn.fnamemodify(current, ':h')
    if parent == current then
      return nil
    end
    current = parent
  end
  return nil
end

local function start(root)
  local id = clients[root]
  if id and vim.lsp.get_client_by_id(id) then
    return id
  end
  id = vim.lsp.start_client({
    name = 'khabar',
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    init_options = M.config.settings,
    settings = { khabar = M.config.settings },
    capabilities = M.config.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = on_attach,
  })
  clients[root] = id
  return id
end

--- Attaches the khabar client to `bufnr` when its file lies in a corpus.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return nil
  end
  local root = M.find_root(vim.fn.fnamemodify(name, ':p:h'))
  if not root then
    return nil
  end
  local id = start(root)
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Stops every khabar client and attaches the open articles again.
function M.restart()
  for root, id in pairs(clients) do
    local client = vim.lsp.get_client_by_id(id)
    if client then
      client.stop()
    end
    clients[root] = nil
  end
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(M.config.filetypes, vim.bo[buf].filetype) then
        M.attach(buf)
      end
    end
  end, 200)
end

--- Whether this Neovim watches files for servers itself (0.9 and later register
--- workspace/didChangeWatchedFiles dynamically); older ones get the plugin's write hook.
local function client_watches()
  local caps = vim.lsp.protocol.make_client_capabilities()
  local w = caps.workspace and caps.workspace.didChangeWatchedFiles
  return w ~= nil and w.dynamicRegistration == true
end

--- Tells the server of the corpus holding `path` that the file changed on disk, as a file
--- watcher would: a knowledge base or khabar.toml saved in Neovim takes effect at once.
function M.notify_changed(path)
  local root = M.find_root(vim.fn.fnamemodify(path, ':p:h'))
  local id = root and clients[root]
  local client = id and vim.lsp.get_client_by_id(id)
  if client then
    client.notify('workspace/didChangeWatchedFiles', {
      changes = { { uri = vim.uri_from_fname(vim.fn.fnamemodify(path, ':p')), type = 2 } },
    })
  end
end

--- Registers khabar with nvim-lspconfig when it is installed, so `require('lspconfig').khabar
--- .setup{}` works too (and `:LspInfo` lists it). The plugin's own start-up stays the default.
local function register_lspconfig()
  local ok, configs = pcall(require, 'lspconfig.configs')
  if not ok or configs.khabar then
    return
  end
  local util = require('lspconfig.util')
  configs.khabar = {
    default_config = {
      cmd = M.config.cmd,
      filetypes = M.config.filetypes,
      root_dir = util.root_pattern(unpack(M.config.root_markers)),
      init_options = M.config.settings,
      settings = { khabar = M.config.settings },
    },
    docs = { description = 'khabar: entity hovers, references and diagnostics for Arabic and Persian news corpora' },
  }
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend('force', M.config, opts or {})
  register_lspconfig()
  set_highlights()
  local group = vim.api.nvim_create_augroup('khabar', { clear = true })
  vim.api.nvim_create_autocmd('ColorScheme', { group = group, callback = set_highlights })
  if not client_watches() then
    vim.api.nvim_create_autocmd('BufWritePost', {
      group = group,
      pattern = { '*.toml', '*.txt' },
      callback = function(args)
        M.notify_changed(args.file)
      end,
    })
  end
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  vim.api.nvim_create_user_command('KhabarRestart', M.restart, { desc = 'Restart the khabar language server' })
  vim.api.nvim_create_user_command('KhabarInfo', function()
    for root, id in pairs(clients) do
      local client = vim.lsp.get_client_by_id(id)
      print(string.format('khabar: %s (client %d, %s)', root, id, client and 'running' or 'stopped'))
    end
  end, { desc = 'Show khabar clients' })
end

return M
