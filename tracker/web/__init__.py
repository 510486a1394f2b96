"""The web app's blueprints: pages for people and the JSON API."""
