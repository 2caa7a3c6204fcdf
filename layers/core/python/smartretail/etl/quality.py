"""The data-quality report of one ETL run: per rule, how many rows were checked and how many failed."""

import json
from dataclasses import asdict, dataclass, field


@dataclass
class QualityCheck:
    dataset: str
    rule: str
    rows_checked: int
    rows_failed: int

    @property
    def failure_rate(self) -> float:
        return self.rows_failed / self.rows_checked if self.rows_checked else 0.0


@dataclass
class QualityReport:
    tenant_id: str
    run_id: str
    checks: list[QualityCheck] = field(default_factory=list)
    outputs: dict[str, int] = field(default_factory=dict)

    def add(self, dataset: str, rule: str, rows_checked: int, rows_failed: int) -> None:
        self.checks.append(QualityCheck(dataset, rule, int(rows_checked), int(rows_failed)))

    def to_json(self) -> str:
        body = asdict(self)
        for check, row in zip(self.checks, body["checks"]):
            row["failure_rate"] = round(check.failure_rate, 6)
        return json.dumps(body, indent=2)
