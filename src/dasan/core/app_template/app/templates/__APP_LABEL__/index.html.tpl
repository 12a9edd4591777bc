{% extends "base.html" %}{% load i18n %}
{% block title %}{% translate "__APP_TITLE__" %}{% endblock %}
{% block content %}
<h1>{% translate "__APP_TITLE__" %}</h1>
{% endblock %}
