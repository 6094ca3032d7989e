"""The support desk (相談窓口): accounts, roles, 相談カルテ and their workflow, apart from the warehouse."""
