// reports: the first action of the nightly job (argv[2]: the run's date, Tron's {shortdate}).
console.log(
  `extracting ${process.argv[2] ?? "today"} for ${process.env.PAASTA_SERVICE}.${process.env.PAASTA_INSTANCE}`,
);
