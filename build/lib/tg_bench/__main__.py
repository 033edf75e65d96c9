import sys

from tg_bench.cli import main

sys.exit(main())
