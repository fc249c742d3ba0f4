"""Store and connection logic. No request objects here: views pass plain values in."""
