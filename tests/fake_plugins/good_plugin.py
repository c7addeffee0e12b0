"""A well-behaved third-party plugin, loaded through a (faked) entry point."""
from gansuite_core import hookimpl


@hookimpl
def gansuite_register_apps(register):
    from toyapps import ToyGANConfig, gan_game, gan_networks

    from gansuite_core import Application

    register(Application("good-app", "A good plugin's app", ToyGANConfig, gan_networks, gan_game))


@hookimpl
def gansuite_register_commands(cli):
    import click

    @cli.command("hello-good")
    def hello() -> None:
        """Say hello (added by a plugin)."""
        click.echo("hello from good")
