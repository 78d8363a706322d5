import sys

from hipthrust.cli import main

sys.exit(main())
