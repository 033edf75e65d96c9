"""The `tg-bench` commands, one module each (`cli` dispatches): thin entry points over the library, which
holds everything a test or a notebook calls too."""
