from smartretail.contracts import CONTRACTS, normalise_header

SALES = CONTRACTS["sales"]


def test_a_valid_sales_row_is_typed():
    values, reasons = SALES.validate_row(
        {"date": "2024-03-31", "store_id": " S1 ", "sku_id": "A-1", "units": "3", "price": "2.50", "promo_flag": "yes"}
    )
    assert reasons == []
    assert values["units"] == 3.0
    assert values["price"] == 2.5
    assert values["promo_flag"] is True
    assert values["store_id"] == "S1"


def test_every_problem_of_a_row_is_reported_with_the_value_seen():
    values, reasons = SALES.validate_row({"date": "2024-02-30", "store_id": "", "sku_id": "A", "units": "-2", "price": "abc"})
    assert values is None
    assert "date is not a real day (2024-02-30) (got '2024-02-30')" in reasons
    assert "store_id is required" in reasons
    assert any(r.startswith("units must be >= 0") for r in reasons)
    assert any(r.startswith("price must be a number") for r in reasons)


def test_optional_columns_may_be_blank():
    values, reasons = SALES.validate_row({"date": "2024-01-01", "store_id": "S", "sku_id": "A", "units": "0", "price": ""})
    assert reasons == []
    assert values["price"] is None
    assert values["promo_flag"] is False


def test_prices_must_be_positive_and_dates_plausible():
    _, reasons = SALES.validate_row({"date": "1850-01-01", "store_id": "S", "sku_id": "A", "units": "1", "price": "0"})
    assert any("between 1990 and 2100" in r for r in reasons)
    assert any(r.startswith("price must be > 0") for r in reasons)


def test_json_values_keep_their_types():
    values, reasons = SALES.validate_row({"date": "2024-01-01T10:00:00", "store_id": "S", "sku_id": "A", "units": 4, "promo_flag": True})
    assert reasons == []
    assert values["date"] == "2024-01-01"
    assert values["promo_flag"] is True


def test_header_names_are_normalised_and_missing_columns_named():
    from smartretail.ingestion.reading import map_columns
    from smartretail.models import ReadingOptions

    header = [normalise_header(h) for h in ["\ufeffDate", "Store ID", "sku-id", "Units", "Colour"]]
    assert header == ["date", "store_id", "sku_id", "units", "colour"]
    mapping = map_columns(["Date", "sku-id", "Colour"], CONTRACTS["inventory"], ReadingOptions())
    assert mapping.missing(CONTRACTS["inventory"]) == ["store_id"]
    assert mapping.ignored == ["Colour"]


def test_inventory_on_hand_must_be_a_whole_number():
    _, reasons = CONTRACTS["inventory"].validate_row({"date": "2024-01-01", "store_id": "S", "sku_id": "A", "on_hand": "2.5"})
    assert reasons == ["on_hand must be a whole number (got '2.5')"]


def test_shopper_events_read_instants_in_the_files_forms_and_only_known_event_types():
    from smartretail.ingestion.values import ValueFormat

    events = CONTRACTS["shopper-events"]
    row = {"event_id": "e1", "user_id": "u1", "item_id": "A1", "event_type": "Add to cart", "timestamp": "2011-12-01 08:26:00"}
    values, reasons = events.validate_row(row)
    assert not reasons and (values["event_type"], values["timestamp"]) == ("add_to_cart", "2011-12-01T08:26:00Z")
    day_first = ValueFormat(date_order="day_first")
    assert events.validate_row({**row, "timestamp": "01/12/2011 8:26 PM"}, day_first)[0]["timestamp"] == "2011-12-01T20:26:00Z"
    assert events.validate_row({**row, "timestamp": "2011-12-01T10:00:00+02:00"})[0]["timestamp"] == "2011-12-01T08:00:00Z"
    assert events.validate_row({**row, "timestamp": "2011-12-01"})[0]["timestamp"] == "2011-12-01T00:00:00Z"
    assert events.validate_row({**row, "event_type": ""})[0]["event_type"] is None  # read as a purchase when training
    _, reasons = events.validate_row({**row, "event_type": "click", "timestamp": "12/01/2011 10:00"})
    assert reasons == ["event_type must be one of view, add_to_cart, purchase (got 'click')",
                       "timestamp could be day-first or month-first: declare the file's date order (date_order) (got '12/01/2011 10:00')"]
    assert events.validate_row({**row, "timestamp": "2011-12-01 25:00"})[1]


def test_shopper_events_stay_out_of_the_sales_etl():
    from smartretail.etl.pipeline import DATASETS

    assert "shopper-events" not in DATASETS and "sales" in DATASETS
