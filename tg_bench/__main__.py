import sys

from tg_bench.commands.cli import main

sys.exit(main())
