from mss.cli import main

main()
