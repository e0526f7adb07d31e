"""marshmallow schemas: the wire contract of every JSON body, in and out."""
