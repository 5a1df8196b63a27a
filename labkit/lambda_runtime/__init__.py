"""A real Python Lambda runtime for the embedded engine (moto runs Lambda code only through Docker)."""
