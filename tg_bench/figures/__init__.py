"""The paper's figures (and a win/loss chart) from aggregated tables: one module per figure kind, each a function
of plain frames that returns a matplotlib `Figure`; `style` gives every method one label, colour and hatch.
`tg-bench figures` (`tg_bench.commands.figures`) draws them all from a results folder."""
