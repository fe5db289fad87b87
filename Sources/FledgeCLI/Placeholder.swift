// Replaced by the plugin's commands.
