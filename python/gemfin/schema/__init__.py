"""The file formats of gemfin: scenario and proposal files as pydantic models (strict types,
sourced numbers, every problem with its field path) and their JSON Schemas."""
