"""Domain model of the notifications service: pure Python, no FastAPI, Kafka or Mongo imports."""
