// reports: the second action, after extract.
console.log(`loading for ${process.env.PAASTA_SERVICE}.${process.env.PAASTA_INSTANCE}`);
