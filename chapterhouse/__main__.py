from chapterhouse.cli import main

main()
