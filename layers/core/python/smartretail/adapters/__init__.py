"""Adapters for the ports in smartretail.ports: aws_* talk to AWS (or moto), others run locally."""
