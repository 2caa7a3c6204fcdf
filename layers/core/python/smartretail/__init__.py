"""SmartRetail domain library: contracts, logic, ports and their AWS/local adapters.

Imported by every runtime (API Lambda, validation Lambda, Glue job, SageMaker job, local stack),
so nothing at package import time may pull in boto3, pandas, numpy or pyspark.
"""

__version__ = "0.1.0"
