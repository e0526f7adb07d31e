"""Services own the rules, the queries and the commits; routes only parse, call and dump."""
