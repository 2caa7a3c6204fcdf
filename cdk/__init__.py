"""SmartRetail infrastructure: one construct per capability; stacks only compose them."""
