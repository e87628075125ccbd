"""Every face of shuyu: the litestar app, the web page and the ``shuyu`` CLI."""
