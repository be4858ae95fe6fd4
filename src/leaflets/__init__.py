"""leaflets: translated patient-information leaflets rendered to print-ready PDFs."""

__version__ = "0.1.0"
