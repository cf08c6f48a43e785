"""Domain model of the volunteers service: pure Python, no FastAPI, Kafka or Mongo imports."""
