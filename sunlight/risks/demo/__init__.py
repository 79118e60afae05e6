"""The demo bureau's risk register (``manage.py loaddemo``): ``data`` holds what the office wrote,
``actions`` stamps it out for every bureau and backs the measures by the demo rule set's rules."""
