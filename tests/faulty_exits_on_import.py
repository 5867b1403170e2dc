import sys

sys.exit("this module refuses to be imported")
