"""The indicator registry of the 地域課題ダッシュボード: one entry per indicator, one module per family."""
