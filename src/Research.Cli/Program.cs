return Research.Cli.Cli.Run(args);
