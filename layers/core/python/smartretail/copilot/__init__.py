"""The copilot: tools that call the platform's own services, the search it cites from, and (to come)
the agent that plans with them."""
