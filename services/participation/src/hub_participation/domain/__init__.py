"""Domain model of the participation service: pure Python, no FastAPI, Kafka or Mongo imports."""
