"""What a training run learns besides the forecast, for price and reorder decisions: each series'
position (price, stock, terms, competitor prices) and the elasticities. `positions` builds them in the
training job (pandas); `store` keeps them in the decisions table for the API (standard library)."""
