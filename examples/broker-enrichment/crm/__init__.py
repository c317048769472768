"""The sales CRM: contacts, and the profile data a data broker adds to them."""
