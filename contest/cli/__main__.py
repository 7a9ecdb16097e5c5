import sys

from contest.cli.main import main

sys.exit(main())
