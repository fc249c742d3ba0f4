"""Talking to Amazon: the Authlib consent/callback client, the LWA token client, the Sellers API."""
