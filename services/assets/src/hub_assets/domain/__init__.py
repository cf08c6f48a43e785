"""Domain model of the assets service: pure Python, no FastAPI, Kafka or Mongo imports."""
