"""The marketplace's fee schedule, published to sellers as a PDF (knowledge/policies/fees-and-payouts.pdf).
The PDF is what the copilot reads, as it would read any policy a marketplace publishes as PDF; this
script is how the PDF is made. Run: python knowledge/sources/fees_and_payouts.py"""

from pathlib import Path

from fpdf import FPDF

TITLE = "Fees and payouts"
SECTIONS = [
    ("Effective date", "Effective 1 April 2026. Applies to every seller on the marketplace. Amounts are in the currency of the "
                       "seller's payout account."),
    ("Commission", "The marketplace charges a commission on the item price including taxes, per category: groceries and "
                   "beverages 6%, household goods 8%, personal care 9%, electronics 5%, fashion 15%. Shipping charged to the "
                   "buyer is not commissioned. A listing in two categories pays the higher rate."),
    ("Fixed closing fee", "Each shipped order item pays a fixed closing fee of 0.30 when its price is below 20, and 0.50 "
                          "otherwise. Cancelled orders pay no fee; returned orders keep the closing fee but the commission is "
                          "refunded."),
    ("Payout schedule", "Payouts are made every 7 days for orders delivered at least 7 days earlier and not under dispute. "
                        "The first payout of a new seller is held for 14 days after the first delivery. A payout below 10 is "
                        "carried over to the next cycle."),
    ("Payout holds", "Payouts are held while the seller's GST registration certificate is expired or fails its checks, while "
                     "an invoice compliance alert of severity critical is open, or when the order defect rate exceeds 1% for "
                     "two months in a row. The hold ends on the next payout day after the cause is cleared."),
    ("Fee invoices", "The marketplace issues a monthly tax invoice for its fees by the 5th working day of the next month, "
                     "with the seller's GSTIN or VAT id. Disputes about fees are raised within 30 days of the invoice."),
]


def render(out: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, TITLE)
    for heading, text in SECTIONS:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10.5)
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


if __name__ == "__main__":
    render(Path(__file__).resolve().parents[1] / "policies" / "fees-and-payouts.pdf")
