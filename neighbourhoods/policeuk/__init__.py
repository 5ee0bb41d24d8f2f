"""The police.uk-compatible read API under /api/police/: `views` (data.police.uk's paths and JSON
shapes), `selectors` (the public reads behind them) and `urls` (the `policeuk` namespace)."""
