-- Neovim's own LSP client against `reviewlint server` (tests/test_server.py): open a file, wait for
-- the diagnostics, print one line each ("CODE line:col message"), then OK or TIMEOUT.
-- start_client/buf_attach_client: the form every Neovim since 0.5 has (vim.lsp.start is 0.8+).
local client_id = vim.lsp.start_client({ name = "reviewlint", cmd = { "reviewlint", "server" }, root_dir = vim.fn.getcwd() })
vim.cmd("edit train.py")
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)
local ok = vim.wait(30000, function() return #vim.diagnostic.get(buf) > 0 end, 100)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  print(string.format("%s %d:%d %s", d.code or "?", d.lnum, d.col, d.message))
end
print(ok and "OK" or "TIMEOUT")
vim.cmd("qa!")
