"""How パターン1 is named wherever it is shown (one definition: charts, pages, the simulator, the CLI, the docs)."""

# パターン1 reproduces IPSS 2023 (令和5年推計) to 2050 and is the engine's extension after (pattern1.pattern1)
PATTERN1_LABEL = "2050年まで社人研（令和5年推計）、以降は本ツールによる延長"
PATTERN1_NAME = f"パターン1（{PATTERN1_LABEL}）"
