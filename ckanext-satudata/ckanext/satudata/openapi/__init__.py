"""The action API described for people and tools: an OpenAPI 3.1 document, a Postman
collection and an interactive Swagger UI, all generated from CKAN's action registry
(issue 15). `spec` generates, `views` serves."""
