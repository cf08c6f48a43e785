"""Domain model of the issues service: pure Python, no FastAPI, Kafka or Mongo imports."""
