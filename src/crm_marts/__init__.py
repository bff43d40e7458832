"""crm_marts: customer marts for an online shop's CRM team, built with dbt."""

__version__ = "0.1.0"
