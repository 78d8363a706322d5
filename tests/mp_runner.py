# Tiny test runner for the MicroPython unix port: runs every `test_*` function of
# the module named on the command line and prints one line per case:
#   @@CASE <name> PASS
#   @@CASE <name> FAIL
#   <traceback lines>
#   @@END
# The pytest plugin in conftest.py turns these into pytest results.
import sys


def main():
    name = sys.argv[1]
    mod = __import__(name)
    names = sorted(n for n in dir(mod) if n.startswith("test_"))
    for n in names:
        fn = getattr(mod, n)
        try:
            fn()
        except Exception as exc:  # report and go on to the next case
            print("@@CASE", n, "FAIL")
            sys.print_exception(exc, sys.stdout)
            print("@@END")
        else:
            print("@@CASE", n, "PASS")


main()
