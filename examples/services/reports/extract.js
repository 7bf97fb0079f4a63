// reports: the first action of the nightly job.
console.log(`extracting for ${process.env.PAASTA_SERVICE}.${process.env.PAASTA_INSTANCE}`);
