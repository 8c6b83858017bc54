"""GraphQL at ``/graphql``: the whole platform in one typed API over the same use cases as REST (strawberry).

``router.install(app, settings)`` mounts it; ``schema.schema_sdl()`` prints the schema committed as
``schema.graphql``.  See ``docs/graphql.md``.
"""
