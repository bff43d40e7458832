from crm_marts.cli import main

main()
