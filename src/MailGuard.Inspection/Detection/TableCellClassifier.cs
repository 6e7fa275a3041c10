namespace MailGuard.Inspection.Detection;

/// <summary>
/// Checks one cell against its column's kind (an NI number column's cell must be an NI number),
/// counts it in the column and the findings, and adds its kind to the row. A cell of a column
/// with no kind is scanned as text, after a cheap precheck. The hot path of a table: no
/// allocation for a cell of a classified column.
/// </summary>
internal sealed class TableCellClassifier
{
    // A CSV field is text; its typed parts are those of this cell.
    private static readonly Cell s_textCell = new(string.Empty);

    private readonly ContentLocation _location;
    private readonly TallySet _tallies;
    private readonly TableDates _dates;
    private readonly MailboxDomains _mailboxes;
    private readonly List<TextMatch> _scratch = [];

    // Validators' scratch space (one array, not a zeroed stackalloc per row), taken by the cases
    // that write to it: spans made for every cell were stack traffic on every cell.
    private readonly char[] _cellScratch = new char[Iban.MaxLength + 24];

    private Span<char> Buffer => _cellScratch.AsSpan(0, Iban.MaxLength);

    private Span<char> NumberScratch => _cellScratch.AsSpan(Iban.MaxLength, 24);

    // The row being read: the kinds found in it and its first unique identifier's key. Fields
    // rather than a ref parameter: they are written for nearly every cell.
    private ulong _rowMask;
    private long _rowPersonKey;

    // The row's name cells hashed as one name (forename then surname), for people across parts.
    private int _rowNameKey;

    // The row's valid name cells (bit i for column i), hashed once the row is read and only if no
    // identifier keyed it: a row's key is its identifier when it has one, and most rows of a
    // people list do. Only while every name column is among the first 64 (else hashed as read).
    private ulong _rowNameCells;
    private bool _nameCellsByBit;
    private TableColumn[] _columns = [];

    // Whether the row's keys are still wanted: a long table's later rows are counted without them.
    private bool _wantKeys;
    private bool _wantNameKey;

    public TableCellClassifier(ContentLocation location, TallySet tallies, TableDates dates, MailboxDomains mailboxes)
    {
        _mailboxes = mailboxes;
        _location = location;
        _tallies = tallies;
        _dates = dates;
    }

    /// <summary>The columns, once decided (kinds final); cells beyond them are scanned as text.</summary>
    public TableColumn[] Columns
    {
        get => _columns;
        set
        {
            _columns = value;
            _nameCellsByBit = !value.Any(c => c.Kind == DataKind.Name && c.Index >= 64);
        }
    }

    /// <summary>
    /// For a table read a record a column (<see cref="TableTransposer"/>): the source row of each
    /// column, so that a cell's location is where the reader sees it. Null for a table read as written.
    /// </summary>
    public long[]? SourceRows { get; set; }

    public ulong RowMask => _rowMask;

    public long RowPersonKey => _rowPersonKey;

    /// <summary>The row's key for telling people apart across parts: its identifier, else its name.</summary>
    public long RowKey => _rowPersonKey != 0 ? _rowPersonKey : _rowNameKey != 0 ? ((long)DataKind.Name << 32) | (uint)_rowNameKey : 0;

    /// <summary>
    /// Starts a row. Without <paramref name="wantKeys"/> (the table has kept as many people's and
    /// rows' keys as it ever will) the row's identifier is not hashed and <see cref="RowPersonKey"/>
    /// stays 0; without <paramref name="wantNameKey"/> (rows' keys are no longer kept) nor is its
    /// name, and <see cref="RowKey"/> is the identifier's key or 0.
    /// </summary>
    public void BeginRow(bool wantKeys, bool wantNameKey)
    {
        _wantKeys = wantKeys;
        _wantNameKey = wantNameKey;
        _rowMask = 0;
        _rowPersonKey = 0;
        _rowNameKey = 0;
        _rowNameCells = 0;
    }

    /// <summary>
    /// The non-empty fields of a CSV record (ranges of <paramref name="chars"/>), each as
    /// <see cref="Classify"/>. A row's cells are checked in one call with the cell method inlined
    /// into the loop: called per cell, its entry and exit were a sixth of a large CSV's time.
    /// </summary>
    public void ClassifyFields(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            var f = fields[i];
            if (f.Length != 0)
            {
                Classify(rowIndex, i, chars.Slice(f.Start, f.Length), null, in s_textCell);
            }
        }

        HashNameFields(chars, fields);
    }

    /// <summary>The non-empty cells of a typed row (ranges of <paramref name="chars"/>), each as <see cref="Classify"/>.</summary>
    public void ClassifyTypedFields(long rowIndex, ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields, ReadOnlySpan<Cell> typed)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            ref readonly var cell = ref typed[i];
            if (cell.Kind != CellKind.Empty)
            {
                var f = fields[i];
                Classify(rowIndex, i, chars.Slice(f.Start, f.Length), null, in cell);
            }
        }

        HashNameFields(chars, fields);
    }

    /// <summary>The non-empty cells of a row, each as <see cref="Classify"/>.</summary>
    public void ClassifyCells(long rowIndex, ReadOnlySpan<Cell> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            ref readonly var cell = ref cells[i];
            if (cell.Kind != CellKind.Empty)
            {
                Classify(rowIndex, i, cell.Text, cell.Text, in cell);
            }
        }

        for (var names = NameCellsToHash(); names != 0; names &= names - 1)
        {
            _rowNameKey = HashName(_rowNameKey, CellText.Trim(cells[System.Numerics.BitOperations.TrailingZeroCount(names)].Text));
        }
    }

    // The row's name cells still to hash, in column order: none when an identifier keys the row.
    private ulong NameCellsToHash() => _rowPersonKey == 0 ? _rowNameCells : 0;

    private void HashNameFields(ReadOnlySpan<char> chars, ReadOnlySpan<FieldSpan> fields)
    {
        for (var names = NameCellsToHash(); names != 0; names &= names - 1)
        {
            var f = fields[System.Numerics.BitOperations.TrailingZeroCount(names)];
            _rowNameKey = HashName(_rowNameKey, CellText.Trim(chars.Slice(f.Start, f.Length)));
        }
    }

    // A name cell continues the row's name: "Tom" then "Haddad" hash as "Tom Haddad" does.
    private static int HashName(int key, ReadOnlySpan<char> text) => key == 0 ? CellText.FoldedHash(text) : CellText.FoldedHash(text, key);

    /// <summary>
    /// Validates one non-empty cell against its column's kind. <paramref name="raw"/> is the
    /// cell's text as read; <paramref name="rawString"/> the same text if it already is a string.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Classify(long rowIndex, int i, ReadOnlySpan<char> raw, string? rawString, in Cell typed)
    {
        var columns = Columns;
        var cellKind = typed.Kind;
        scoped ReadOnlySpan<char> text = CellText.Trim(raw);
        if (cellKind == CellKind.Number && typed.Number is { } number)
        {
            // Spreadsheets store NHS and phone numbers as numbers: the display text may be
            // "9.43E+09" and a phone number's leading 0 is gone.
            text = CellText.NumberText(number, NumberScratch, text);
        }

        if (text.IsEmpty || (cellKind != CellKind.Date && CellText.IsPlaceholder(text)))
        {
            return;
        }

        if (i >= columns.Length)
        {
            // Wider than any buffered row: no header, no stats; still scan the value.
            _rowMask |= ScanUnknown(rowIndex, i, raw, rawString, ref _rowPersonKey);
            return;
        }

        var column = columns[i];
        column.Values++;
        var kind = column.Kind;
        var valid = false;
        var testRange = false;
        var hash = 0;
        // A value that must not mark the row: a role mailbox, an unheaded card-like number.
        var notAboutPerson = false;
        // A value that is someone's own contact detail whatever its header says (jane.doe@gmail.com).
        var ownContact = false;
        switch (kind)
        {
            case DataKind.Unknown:
            case DataKind.NotPersonal:
                _rowMask |= ScanUnknown(rowIndex, i, raw, rawString, ref _rowPersonKey);
                return;

            case DataKind.NiNumber:
                valid = text.Length <= 13 && UkNino.TryParse(text, Buffer, out var hasSuffix, ignoreCase: true)
                    && (hasSuffix || column.Source == ColumnKindSource.Header);
                break;

            case DataKind.NhsNumber:
                valid = NhsNumber.TryParse(text, Buffer);
                testRange = valid && NhsNumber.IsTestRange(Buffer[..10]);
                break;

            case DataKind.EmailAddress:
                if (EmailAddress.IsValid(text))
                {
                    valid = true;
                    notAboutPerson = EmailAddress.IsRoleAddress(text);
                    hash = column.NeedsDistinct ? CellText.FoldedHash(text) : 0;
                    switch (_mailboxes.KindOf(text[(text.LastIndexOf('@') + 1)..]))
                    {
                        case MailboxKind.Personal:
                            ownContact = true;
                            break;
                        case MailboxKind.Work:
                            column.WorkAddresses++;
                            break;
                    }
                }

                break;

            case DataKind.Phone:
                if (cellKind == CellKind.Number && text.Length == 10 && text[0] is '1' or '2' or '3' or '7' or '8')
                {
                    // 7700900123 was 07700 900123 before a spreadsheet made it a number.
                    var numberText = NumberScratch;
                    text.CopyTo(numberText[1..]);
                    numberText[0] = '0';
                    text = numberText[..11];
                }

                if (UkPhone.TryParse(text, Buffer, out var phoneLength))
                {
                    valid = true;

                    // 01, 02 and 03 numbers ring at a place; 08 at an organisation's switchboard.
                    if (Buffer[1] is '1' or '2' or '3' or '8')
                    {
                        column.Landlines++;
                    }

                    hash = column.NeedsDistinct ? CellText.FoldedHash(Buffer[..phoneLength]) : 0;
                }
                else if (CellText.CountDigits(text) is >= 7 and <= 15)
                {
                    // International numbers are still somebody's phone; no UK finding.
                    _rowMask |= DataKinds.Bit(kind);
                    column.Valid++;
                    column.TrackDistinct(column.NeedsDistinct ? CellText.FoldedHash(text) : 0);
                }

                break;

            case DataKind.Postcode:
                if (CellText.IsPostcode(text))
                {
                    valid = true;
                    hash = column.NeedsDistinct ? CellText.FoldedHash(text) : 0;
                }

                break;

            case DataKind.DateOfBirth:
                valid = (_dates.TryGetDate(cellKind, typed.Date, raw, out var date) || _dates.TryGetSerialDate(cellKind, typed.Number, text, out date))
                    && _dates.IsPlausibleBirthDate(date);
                break;

            case DataKind.PaymentCard:
                // A column of Luhn-valid numbers with no card header is not known to be cards
                // (barcodes and application numbers pass Luhn too): kept at Low, no person.
                valid = PaymentCard.TryParse(text, Buffer, out _);
                notAboutPerson = column.Source != ColumnKindSource.Header;
                break;

            case DataKind.BankAccount:
                if (Iban.TryParse(text, Buffer, out _))
                {
                    valid = true;
                }
                else
                {
                    // Sort codes and account numbers: personal, but not an IBAN finding.
                    _rowMask |= DataKinds.Bit(kind);
                    column.Valid++;
                }

                break;

            case DataKind.PassportNumber:
                valid = text.Length is >= 6 and <= 10 && CellText.CountDigits(text) >= 6 && CellText.IsAlphanumeric(text);
                break;

            case DataKind.DrivingLicence:
                valid = UkDrivingLicence.TryParse(text, Buffer);
                break;

            case DataKind.PostalAddress:
                if (CellText.HasLetter(text))
                {
                    valid = true;
                    hash = column.NeedsDistinct ? CellText.FoldedHash(text) : 0;
                }

                break;

            case DataKind.Name:
                valid = CellText.HasLetter(text);
                if (valid && _wantNameKey)
                {
                    if (_nameCellsByBit && i < 64)
                    {
                        _rowNameCells |= 1UL << i;
                    }
                    else
                    {
                        _rowNameKey = HashName(_rowNameKey, text);
                    }
                }

                break;

            case DataKind.Organisation:
                valid = CellText.HasLetter(text);
                break;

            case DataKind.Reference:
            case DataKind.OtherDate:
                // Read for what it is and nothing else: a barcode is not scanned for cards.
                valid = true;
                break;

            default:
                valid = true;
                break;
        }

        if (!valid)
        {
            return;
        }

        column.Valid++;

        // A role mailbox (enquiries@, referrals@) is an organisation's: it names nobody (and an
        // unheaded card-like number says nothing about anyone).
        if (!notAboutPerson)
        {
            _rowMask |= DataKinds.Bit(kind);

            // Someone's own: by the column's header ("Home address") or by the value itself.
            if (column.Private || ownContact)
            {
                _rowMask |= DataKinds.Bit(DataKind.PrivateContact);
            }
        }

        if (_rowPersonKey == 0 && _wantKeys && kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.PassportNumber or DataKind.PrisonerNumber or DataKind.DrivingLicence)
        {
            _rowPersonKey = ((long)kind << 32) | (uint)CellText.FoldedHash(text);
        }

        if (column.Distinct is not null)
        {
            column.TrackDistinct(hash);
        }

        if (column.Tally is { } tally)
        {
            var confidence = column.Source != ColumnKindSource.Header ? (kind == DataKind.PaymentCard ? Confidence.Low : Confidence.Medium) : Confidence.High;
            tally.Add(confidence, testRange);
            if (tally.WantsEvidence)
            {
                OfferEvidence(tally, kind, text, raw, in typed, rowIndex, i);
            }
        }
    }

    /// <summary>
    /// A valid cell's masked value, offered as evidence while its finding still wants some (the
    /// first few cells of a column): made here, out of the table's loop, from the cell again.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void OfferEvidence(FindingTally tally, DataKind kind, ReadOnlySpan<char> text, ReadOnlySpan<char> raw, in Cell typed, long rowIndex, int i)
    {
        var buffer = Buffer;
        string? evidence = kind switch
        {
            DataKind.NiNumber => Masker.Nino(text),
            DataKind.NhsNumber => NhsNumber.TryParse(text, buffer) ? Masker.Nhs(buffer[..10]) : null,
            DataKind.EmailAddress => Masker.Email(text),
            DataKind.Phone => Masker.Phone(text),
            DataKind.Postcode => Masker.Postcode(text),
            DataKind.DateOfBirth => _dates.TryGetDate(typed.Kind, typed.Date, raw, out var date) || _dates.TryGetSerialDate(typed.Kind, typed.Number, text, out date) ? Masker.Date(date) : null,
            DataKind.PaymentCard => PaymentCard.TryParse(text, buffer, out var cardLength) ? Masker.Card(buffer[..cardLength]) : null,
            DataKind.BankAccount => Iban.TryParse(text, buffer, out var ibanLength) ? Masker.Iban(buffer[..ibanLength]) : null,
            DataKind.PassportNumber => Masker.Generic(text),
            DataKind.DrivingLicence => UkDrivingLicence.TryParse(text, buffer) ? Masker.Generic(buffer[..UkDrivingLicence.Length]) : null,
            DataKind.PostalAddress => Masker.Address(text),
            _ => null,
        };

        if (evidence is not null)
        {
            tally.AddEvidence(evidence, CellLocation(rowIndex, i));
        }
    }

    // A cell as the spreadsheet numbers it (row from 1); in a turned table, its row and column turned back.
    private ContentLocation CellLocation(long rowIndex, int column) =>
        SourceRows is { } source && column < source.Length
            ? _location.WithCell(source[column] + 1, (int)Math.Min(rowIndex, int.MaxValue))
            : _location.WithCell(rowIndex + 1, column);

    /// <summary>
    /// A cell in a column we could not classify is scanned as text, after a precheck: most
    /// such cells (quantities, prices, free text without digits) are ruled out by length and
    /// character class before any scanner runs.
    /// </summary>
    private ulong ScanUnknown(long rowIndex, int column, ReadOnlySpan<char> raw, string? rawString, ref long personKey)
    {
        if (raw.Length < 6 || (!CellText.HasDigit(raw) && raw.IndexOf('@') < 0))
        {
            return 0;
        }

        // A lone number of up to nine digits (a quantity, a price, an id) is never one of ours.
        if (raw.Length <= 9 && CellText.IsAllDigitsOrPunctuation(raw))
        {
            return 0;
        }

        var text = rawString ?? new string(raw);

        _scratch.Clear();
        TextScanner.Scan(text, _dates.Reference, _scratch);
        ulong mask = 0;
        foreach (var m in _scratch)
        {
            var findingKind = DataKinds.FindingKind(m.Kind);
            if (findingKind is not null)
            {
                var tally = _tallies.Get(findingKind);
                tally.Add(m.Confidence, m.TestRange);
                if (tally.WantsEvidence)
                {
                    tally.AddEvidence(TextScanner.Mask(text, m), CellLocation(rowIndex, column));
                }
            }

            if (m.Confidence >= Confidence.Medium)
            {
                mask |= DataKinds.Bit(m.Kind);
                if (personKey == 0 && _wantKeys && m.Kind is DataKind.NiNumber or DataKind.NhsNumber or DataKind.PassportNumber or DataKind.PrisonerNumber or DataKind.DrivingLicence)
                {
                    personKey = ((long)m.Kind << 32) | (uint)m.ValueHash;
                }
            }
        }

        return mask;
    }
}
