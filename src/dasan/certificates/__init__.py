"""민원서류 사전발급 (documents prepared before a visit) and verifiable city-issued PDFs."""
